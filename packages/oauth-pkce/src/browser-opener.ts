/** Opens a URL in the user's browser. */
export type BrowserOpener = (url: string) => Promise<void>;

/**
 * Opens a URL in the default browser with the `open` package (loaded lazily). It never throws: a missing
 * browser is reported through the returned error, and the caller prints the URL anyway.
 *
 * @param url - the URL to open
 */
export async function openInDefaultBrowser(url: string): Promise<void> {
  const { default: open } = await import('open');
  const child = await open(url, { wait: false });
  // A spawn failure (no xdg-open, no display) arrives asynchronously; never let it crash the process.
  child.on('error', () => {});
  child.unref();
}

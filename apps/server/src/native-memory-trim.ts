/**
 * Gives the free memory inside glibc's main heap back to the system. After a burst of load about half
 * of that heap is free but scattered between blocks still in use (measured: 21 MiB held, 10 MiB in
 * use); glibc only ever returns the free end of the heap (`MALLOC_TRIM_THRESHOLD_`), the rest only
 * through `malloc_trim`, which releases every free page wherever it is. Returns nothing; takes a few
 * milliseconds, on the calling thread.
 */
export type NativeMemoryTrim = () => void;

/** The part of the `koffi` FFI module {@link loadNativeMemoryTrim} uses. */
export interface ForeignFunctionInterface {
  /** Opens a shared library by file name. */
  load(path: string): { func(signature: string): (...parameters: unknown[]) => unknown };
}

/** Imports the optional `koffi` dependency (a prebuilt FFI binding), or throws when it is not installed. */
async function importKoffi(): Promise<ForeignFunctionInterface> {
  const module = await import('koffi');
  return module.default;
}

/**
 * Binds glibc's `malloc_trim` through the optional `koffi` dependency, or resolves to `undefined`
 * where it cannot: another platform than Linux, a C library without it (musl, as on Alpine: no
 * `libc.so.6`), or `koffi` not installed (`--omit=optional`, a platform without its prebuilt binary).
 * Never rejects. Importing `koffi` takes ~20 ms, so the gateway binds it at its first idle release,
 * not when it starts.
 *
 * @param platform - `process.platform`
 * @param importFfi - imports the FFI module (tests replace it)
 */
export async function loadNativeMemoryTrim(
  platform: string = process.platform,
  importFfi: () => Promise<ForeignFunctionInterface> = importKoffi,
): Promise<NativeMemoryTrim | undefined> {
  if (platform !== 'linux') return undefined;
  try {
    const ffi = await importFfi();
    const mallocTrim = ffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => {
      mallocTrim(0);
    };
  } catch {
    return undefined;
  }
}

// Vite's `?raw` imports (used by the tests only): the file's text.
declare module '*?raw' {
  const text: string;
  export default text;
}

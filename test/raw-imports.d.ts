// Vite's `?raw` imports (used to read the shared corpora into tests) give the file as a string.
declare module "*?raw" {
  const text: string;
  export default text;
}

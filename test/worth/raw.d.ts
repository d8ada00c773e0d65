/** Vite `?raw` imports of the committed seed copies (tests cannot read files at run time). */
declare module "*.yaml?raw" {
  const text: string;
  export default text;
}

/** Vite `?raw` imports of the committed copies of seed 003 (tests cannot read files at run time). */
declare module "*.curl?raw" {
  const text: string;
  export default text;
}
declare module "*.response.json?raw" {
  const text: string;
  export default text;
}

// The package ships Emscripten glue without type declarations. Its default export is the
// MODULARIZE factory: every call instantiates a fresh module with its own linear memory.
declare module '@echogarden/pffft-wasm/simd' {
  const createPffftInstance: (moduleOverrides?: object) => Promise<unknown>;
  export default createPffftInstance;
}

declare module '@echogarden/pffft-wasm' {
  const createPffftInstance: (moduleOverrides?: object) => Promise<unknown>;
  export default createPffftInstance;
}

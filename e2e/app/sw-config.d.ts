declare module '/sw-config.js' {
  const config: import('../support/sw-config.js').TestWorkerConfig;
  export default config;
}

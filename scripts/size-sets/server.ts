// The API verifier (bearer-sw/server) with the jose parts it uses: it runs on servers and edge
// runtimes, not in the browser; a budget so it does not creep.
export * from 'bearer-sw/server';

// The page module: every export kept, as an app importing the whole of bearer-sw/client would.
export * from 'bearer-sw/client';

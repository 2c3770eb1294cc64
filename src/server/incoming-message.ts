import { verifyRequest, type VerifiedRequest, type VerifyRequestOptions } from './verify-request.js';

/** The members of Node's `http.IncomingMessage` read here (typed structurally: no Node types needed). */
export interface IncomingMessageLike {
  method?: string | undefined;
  /** Path and query as received. */
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Header names and values as received, duplicates kept. */
  rawHeaders?: string[];
  /** A TLS socket has `encrypted: true`. */
  socket?: object | null;
}

/** Options of {@link toFetchRequest}. */
export interface ToFetchRequestOptions {
  /**
   * The origin clients address this server as (`https://api.example.com`): DPoP proofs name it. Default:
   * `https:` on a TLS socket, else `http:`, with the `Host` header — which the client chooses, so set it in
   * production (and behind a TLS-terminating proxy) to refuse proofs made for another server.
   */
  origin?: string;
}

/**
 * Turns a Node `IncomingMessage` into a body-less Fetch API `Request` with the same method, URL and
 * headers (duplicates kept, so two `DPoP` headers are still seen as two).
 *
 * @throws {TypeError} when there is neither `origin` nor a `Host` header, or the method is one `Request` refuses
 * @example
 * ```ts
 * const request = toFetchRequest(incoming, { origin: 'https://api.example.com' })
 * ```
 */
export function toFetchRequest(message: IncomingMessageLike, options: ToFetchRequestOptions = {}): Request {
  const headers = new Headers();
  const raw = message.rawHeaders;
  if (raw !== undefined) {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  } else {
    for (const [name, value] of Object.entries(message.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    }
  }
  let origin = options.origin;
  if (origin === undefined) {
    const host = headers.get('host');
    if (host === null) throw new TypeError('Failed to read the request: it has no Host header and no origin was given');
    const tls = typeof message.socket === 'object' && message.socket !== null && 'encrypted' in message.socket && message.socket.encrypted === true;
    origin = `${tls ? 'https' : 'http'}://${host}`;
  }
  // Only the path and query of the request target: an absolute-form (`GET https://other/…`) or
  // scheme-relative (`//other/…`) target must not choose the host, or a pinned origin, and with it
  // the `htu` a proof is checked against, could be swapped for another server's.
  const { pathname, search } = new URL(message.url ?? '/', 'http://target.invalid');
  return new Request(`${new URL(origin).origin}${pathname}${search}`, { method: message.method ?? 'GET', headers });
}

/**
 * {@link verifyRequest} for Node's `http` servers (Express, Fastify's `raw`, plain `createServer`).
 *
 * @throws {@link RequestVerificationError} as `verifyRequest` does; `challenge(error, options)` gives the answer
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   try {
 *     const { claims } = await verifyIncomingMessage(req, options)
 *     res.end(`hello ${claims.sub}`)
 *   } catch (error) {
 *     if (!(error instanceof RequestVerificationError)) throw error
 *     const { status, headers } = challenge(error, options)
 *     res.writeHead(status, headers).end()
 *   }
 * })
 * ```
 */
export function verifyIncomingMessage(message: IncomingMessageLike, options: VerifyRequestOptions & ToFetchRequestOptions): Promise<VerifiedRequest> {
  return verifyRequest(toFetchRequest(message, options), options);
}

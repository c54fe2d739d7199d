// Command descriptors: what the net layer needs to know about one request command to read its head
// (fixed size, where a variable name length sits) and to bound or stream its body. Codecs export them.

/** An i64 name length inside the fixed head; the name follows the fixed part. */
export interface NameLenField {
  /** Offset of the i64 inside the fixed head. */
  at: number;
  min: number;
  max: number;
}

export interface CommandDescriptor<Req, Head> {
  readonly cmd: number;
  /** FastDFS's name, for messages. */
  readonly name: string;
  /** Bytes of the request head before the variable name (streamed) or the smallest body (not streamed). */
  readonly headSize: number;
  /** Set when a name of this length follows the fixed head. */
  readonly nameLen?: NameLenField;
  /** Content follows the head and is streamed by the handler (pkg_len = head + content). */
  readonly streamed: boolean;
  /** Largest body of a non-streamed request; undefined = the server's buffer limit. */
  readonly maxBody?: number;
  /** Whole packet (streamed: header + head, pkg_len counting the content). */
  readonly encode: (req: Req) => Buffer;
  /**
   * Head (streamed) or whole body, with the request's pkg_len and header status byte (22 carries flags there);
   * throws StatusError(EINVAL) where the server answers EINVAL.
   */
  readonly decode: (head: Buffer, pkgLen: number, status: number) => Head;
}

/** Typed constructor, so descriptors read as plain tables beside their codecs. */
export function defineCommand<Req, Head>(d: CommandDescriptor<Req, Head>): CommandDescriptor<Req, Head> {
  return Object.freeze(d);
}

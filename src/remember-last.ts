// A one-entry memo for a pure function of a string asked about the same string again and again (a storage's
// bind_addr and own address, on every upload): computed again only when the argument changes. A call that
// throws remembers nothing.
export function rememberLast<T>(fn: (s: string) => T): (s: string) => T {
  let last: string | undefined;
  let value: T;
  return (s) => {
    if (s !== last) {
      value = fn(s);
      last = s;
    }
    return value;
  };
}

// The byte-array type of the E2EE code: a Uint8Array over a plain ArrayBuffer (what WebCrypto
// and Blob accept; TypeScript ≥ 5.7 tells it apart from one over a SharedArrayBuffer).

/** Bytes backed by an ArrayBuffer. */
export type Bytes = Uint8Array<ArrayBuffer>;

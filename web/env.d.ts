// The shared wire files import src/frame/frame.ts, whose Frame type names Node's Buffer. The
// browser never builds a Frame (it decodes WsFrame with Uint8Array payloads), so for type
// checking here a Buffer is just bytes.
type Buffer = Uint8Array;

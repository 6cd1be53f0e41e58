// One UTF-8 counter for every message size limit: the protocol's, which has no dependencies.
export { exceedsUtf8Bytes, utf8ByteLength } from '@scomp/protocol/utf8';

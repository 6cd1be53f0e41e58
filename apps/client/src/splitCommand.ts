// The command-line splitter lives with the stdio transport, which every stdio launcher uses.
export { splitCommand } from '@scomp/transport-stdio';

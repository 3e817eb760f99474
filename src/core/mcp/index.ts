/** The MCP client session (`session.ts`), what it takes and fails with (`types.ts`), a 401's words (`auth.ts`). */
export * from './types';
export * from './session';
export { describeUnauthorized, parseWwwAuthenticate } from './auth';

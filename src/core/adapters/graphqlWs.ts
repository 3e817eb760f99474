import type { Adapter } from './adapter';
export const graphqlWsAdapter: Adapter = undefined as never;

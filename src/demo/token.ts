/** The bearer token the demo's private endpoints accept. */
export const DEMO_TOKEN = 'demo-token';

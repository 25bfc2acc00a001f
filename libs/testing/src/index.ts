export * from './database.js';
export * from './logs.js';
export * from './nats.js';
export * from './oidc-provider.js';
export * from './orm.js';
export * from './ports.js';
export * from './service.js';
export * from './smtp.js';

export * from './database.js';
export * from './logs.js';
export * from './nats.js';
export * from './ports.js';

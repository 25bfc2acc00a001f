// npm run seed: adds the SPEC's demo data where it is missing (after npm run migrate).
import { requireInfrastructure, seedDemo } from './system.mjs';

await requireInfrastructure();
const demo = await seedDemo();
console.log(demo.created ? 'Demo data created.' : 'Demo data already present.');

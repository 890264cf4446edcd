#!/usr/bin/env node
// msgpackr's optional native string extractor costs more to load than it saves on a bundle's few
// kilobytes, and this runs on every device boot.
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

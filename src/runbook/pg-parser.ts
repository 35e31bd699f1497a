import { loadModule } from 'libpg-query';

// PostgreSQL's parser is WebAssembly: loaded once, by the first module that parses SQL, so each
// can use its synchronous API. Nothing else imports it: commands that only read runbooks skip it.
await loadModule();

// `node tests/support/require-env.mjs NAME…`: fails loudly when a variable the
// suite needs is missing, so a PostgreSQL run can never pass by skipping.
const missing = process.argv.slice(2).filter((name) => !process.env[name]);
if (missing.length) {
  console.error(`missing environment variable(s): ${missing.join(", ")} (see README: Tests)`);
  process.exit(1);
}

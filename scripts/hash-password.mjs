// Prints the PROVIDER_PASSWORD_HASH for a password read from standard input: `npm run hash-password`.
// The parameters are src/infra/passwords.ts's (scrypt, N = 2^17, r = 8, p = 1), in the same format.
import crypto from 'node:crypto';
const N = 2 ** 17;
const r = 8;
const p = 1;
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const password = input.replace(/\r?\n$/, '');
  if (password.length < 12) {
    console.error('The password must be at least 12 characters long.');
    process.exit(2);
  }
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32, { N, r, p, maxmem: 128 * N * r + 16 * 1024 * 1024 });
  console.log(`scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`);
});
if (process.stdin.isTTY) console.error('Type the password, then Enter and Ctrl-D:');

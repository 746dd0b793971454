// Prints the PROVIDER_PASSWORD_HASH for a password read from standard input: `npm run hash-password`.
import crypto from 'node:crypto';
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const password = input.replace(/\r?\n$/, '');
  if (password.length < 12) {
    console.error('The password must be at least 12 characters long.');
    process.exit(2);
  }
  const salt = crypto.randomBytes(16);
  console.log(`scrypt$${salt.toString('base64')}$${crypto.scryptSync(password, salt, 32).toString('base64')}`);
});
if (process.stdin.isTTY) console.error('Type the password, then Enter and Ctrl-D:');

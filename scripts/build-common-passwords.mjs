// Regenerates app/auth/common-passwords.json from @zxcvbn-ts/language-common's
// list of the most common passwords (devDependency), plus local ones seen in
// Pakistani breach corpora. Only entries of 8+ characters are kept: shorter
// ones are refused by the length rule anyway. Run: node scripts/build-common-passwords.mjs
import fs from "node:fs";
import { dictionary } from "@zxcvbn-ts/language-common";

const local = [
  "pakistan",
  "pakistan1",
  "pakistan12",
  "pakistan123",
  "pakistan786",
  "pakistan1947",
  "pakistanzindabad",
  "karachi123",
  "lahore123",
  "islamabad",
  "islamabad123",
  "rawalpindi",
  "peshawar123",
  "faisalabad",
  "sialkot123",
  "bismillah",
  "bismillah786",
  "allahuakbar",
  "mashallah",
  "inshallah",
  "muhammad786",
  "ali12345",
  "786786786",
  "78607860",
  "pakistani",
  "pakpak123",
  "iloveyou786",
  "password786",
];
const all = new Set([...dictionary["passwords-common"], ...local].map((p) => String(p).toLowerCase()).filter((p) => p.length >= 8));
fs.writeFileSync(
  new URL("../app/auth/common-passwords.json", import.meta.url),
  JSON.stringify([...all], null, 0).replaceAll('","', '",\n"') + "\n",
);
console.log(`wrote ${all.size} entries`);

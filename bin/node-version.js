// Imported first by every entry point (the `refute` command, `npm run demo`): Hardhat 3
// needs Node ≥ 22.13, and on an older Node the failure would come later, from deep inside
// a dependency. This says what to do instead, in one line, and exits 2.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `error: Refute needs Node >= 22.13, this is Node ${process.versions.node}; ` +
      "get Node 22 from the npm registry into ~/.cache and onto this shell's PATH with: source scripts/node22.sh",
  );
  process.exit(2);
}

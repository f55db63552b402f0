// Preloaded into a server process by bench/profile-request.ts (node --import):
// SIGWINCH starts V8's CPU profiler, the next SIGWINCH stops it and writes
// $LATE_PROFILE_DIR/late.cpuprofile, so a profile holds only the measured
// requests (not start-up, module loading or warm-up). SIGWINCH, because
// close-with-grace stops the server on SIGUSR2. Never loaded by the app itself.
import fs from "node:fs";
import inspector from "node:inspector";

let session = null;
process.on("SIGWINCH", () => {
  if (!session) {
    session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable", () =>
      session.post("Profiler.setSamplingInterval", { interval: 100 }, () => session.post("Profiler.start")),
    );
    return;
  }
  const s = session;
  session = null;
  s.post("Profiler.stop", (err, result) => {
    if (!err) fs.writeFileSync(`${process.env.LATE_PROFILE_DIR}/late.cpuprofile`, JSON.stringify(result.profile));
    s.disconnect();
  });
});

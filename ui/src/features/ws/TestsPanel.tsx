// The Tests panel: the request script's `test()` results, live as messages arrive (and `after`'s
// once the session ends), with a passed/failed tally.
import type { ScriptTestDto } from "../../ipc";
import { testLine, testTally } from "../../lib/scripts";

export function TestsPanel({ tests, ended }: { tests: readonly ScriptTestDto[]; ended: boolean }) {
  const { passed, failed } = testTally(tests);
  return (
    <section className="tests-panel" role="region" aria-label="Tests">
      <header>
        <strong>Tests</strong>{" "}
        <span className="tests-tally" data-failed={failed}>
          {tests.length === 0 ? (ended ? "no test() ran" : "waiting for test() results") : `${passed} passed, ${failed} failed`}
        </span>
      </header>
      <ul>
        {tests.map((t, i) => (
          <li key={i} data-passed={t.passed} className={t.passed ? "test-pass" : "test-fail"}>{testLine(t)}</li>
        ))}
      </ul>
    </section>
  );
}

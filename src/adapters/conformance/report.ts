import { KitReport, Outcome } from './kit';

const MARK: Record<Outcome, string> = { pass: '✓', fail: '✗', skip: '–' };

/** The kit's report as people read it: per port, one line per check (✓ passed, ✗ failed, – not applicable) with what was seen. */
export function formatReport(report: KitReport): string {
  const lines = [`Adapter conformance: ${report.modules.join(', ')} (every call within ${report.timeoutMs} ms)`, ''];
  for (const port of report.ports) {
    lines.push(`${port.port}: the ${port.title}, from ${port.suppliedBy}`);
    for (const check of port.checks) lines.push(`  ${MARK[check.outcome]} ${check.name}${check.detail ? `\n      ${check.detail}` : ''}`);
    lines.push('');
  }
  if (report.unsupplied.length) lines.push(`Not supplied by these modules, not checked: ${report.unsupplied.join(', ')}`, '');
  const verdict = report.failed ? `${report.failed} failed: does not conform` : report.ports.length ? 'conforms' : 'no port was checked: the modules supply none of those asked for';
  lines.push(`${report.passed} passed, ${report.failed} failed, ${report.skipped} not applicable: ${verdict}`);
  return `${lines.join('\n')}\n`;
}

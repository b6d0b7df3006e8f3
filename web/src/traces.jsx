// A trace as a timeline: what started it, each step with why / why not, each command and whether
// the device confirmed it.
import { t } from './i18n.js';

const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '');

export function TraceTimeline({ trace }) {
  const trig = trace.trigger || {};
  const steps = trace.steps || [];
  const cmds = trace.commands || [];
  return (
    <details class="trace" data-trace={trace.id} data-rule={trace.rule}>
      <summary>
        <time>{time(trace.started)}</time> <b>{trace.rule}</b> · {trig.kind || trig.platform || ''}{trig.text ? ` “${trig.text}”` : ''}
        {' '}<span class={`outcome ${trace.outcome}`}>{trace.outcome}</span>
        {trace.reason && <span class="muted"> — {trace.reason}</span>}
      </summary>
      <ol class="timeline">
        <li><b>{t('trigger')}</b> <code>{JSON.stringify(trig)}</code></li>
        {(trace.conditions || []).map((c) => <li class={c.passed === false || c.result === false ? 'no' : 'yes'}><b>{c.passed === false || c.result === false ? t('whyNot') : t('why')}</b> <code>{JSON.stringify(c)}</code></li>)}
        {steps.map((s) => <li class={s.error ? 'no' : 'yes'}><time>{time(s.at)}</time> <b>{s.kind || 'step'}</b> {s.path && s.path !== s.kind ? s.path : ''} <code>{JSON.stringify(s.detail ?? {})}</code>{s.error ? ` — ${s.error}` : ''}</li>)}
        {cmds.map((c) => {
          const { context_id, ...set } = c.command || c.set || {};
          const error = c.error && (typeof c.error === 'string' ? c.error : c.error.message || JSON.stringify(c.error));
          return (
            <li class={error ? 'no' : 'yes'}>
              <code>{c.device}</code> {JSON.stringify(set)} — {error ? `${t('error')}: ${error}` : c.confirmed ? `✓ ${t('confirmed')} ${time(c.confirmed_at)}` : t('sent')}{c.held_ms ? ` (held ${c.held_ms} ms)` : ''}
            </li>
          );
        })}
      </ol>
    </details>
  );
}

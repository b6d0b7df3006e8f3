// The voice box: an utterance → what the hub understood, the commands it sent (or would send), its
// reply; a dry-run switch; undo.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { t, lang } from './i18n.js';

export function VoiceBox({ onError }) {
  const [text, setText] = useState('');
  const [dry, setDry] = useState(false);
  const [answer, setAnswer] = useState(null);
  const [busy, setBusy] = useState(false);
  const [undone, setUndone] = useState(null);

  const say = async (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true); setUndone(null);
    try { setAnswer(await api('POST', '/conversation', { text, dry_run: dry, language: lang.get() })); }
    catch (err) { onError(err.message); }
    finally { setBusy(false); }
  };
  const undo = async () => {
    try { const r = await api('POST', '/undo'); setUndone(r); }
    catch (err) { onError(err.message); }
  };

  return (
    <section class="voice panel" aria-label={t('voice')}>
      <form onSubmit={say}>
        <input name="utterance" value={text} placeholder={t('sayPlaceholder')} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{t('say')}</button>
        <label class="dry"><input type="checkbox" name="dry_run" checked={dry} onChange={(e) => setDry(e.currentTarget.checked)} /> {t('dryRun')}</label>
        <button type="button" name="undo" onClick={undo}>↶ {t('undo')}</button>
      </form>
      {answer && (
        <div class="answer" data-outcome={answer.outcome}>
          <p class="speech">“{answer.speech}”</p>
          <dl>
            <dt>{answer.understood ? t('understood') : t('notUnderstood')}</dt>
            <dd>{answer.intent ? `${answer.intent.name} ${JSON.stringify(answer.intent.slots || {})} · ${Math.round((answer.intent.confidence || 0) * 100)}%` : '—'}
              {answer.scene ? ` → ${t('scenes')}: ${answer.scene}` : ''}</dd>
            <dt>{t('commands')}{answer.dry_run ? ` (${t('nothingSent')})` : ''}</dt>
            <dd><ul class="commands">{(answer.commands || []).map((c) => <li><code>{c.device}</code> {JSON.stringify(c.set)}</li>)}</ul>
              {(answer.commands || []).length === 0 && '—'}</dd>
          </dl>
        </div>
      )}
      {undone && <p class="undone">{t('undone')}: {undone.label || ''} ({(undone.commands || []).length} {t('commands')})</p>}
    </section>
  );
}

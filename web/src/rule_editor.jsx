// A rule as YAML in a text editor. The hub checks it; an error names its line and column, which
// are marked in the gutter and where the caret is put.
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiYaml } from './api.js';
import { t } from './i18n.js';

const template = `id: new_rule
name: {zh: 新规则, en: new rule}
triggers:
  - {state: hall.motion, attribute: occupancy, to: true}
actions:
  - {command: hall.light, set: {on: true}}
`;

/** The character offset of a 1-based line and byte column (the hub counts bytes) in `text`. */
export function offsetOf(text, line, column) {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  const here = lines[line - 1] ?? '';
  const bytes = new TextEncoder().encode(here).slice(0, Math.max(0, column - 1));
  return offset + Math.min(here.length, new TextDecoder().decode(bytes).length);
}

export function RuleEditor({ id, onDone }) {
  const [text, setText] = useState(id ? null : template);
  const [error, setError] = useState(null);  // {message, line?, column?}
  const [busy, setBusy] = useState(false);
  const area = useRef(null);
  const gutter = useRef(null);
  useEffect(() => {
    if (id) apiYaml('GET', `/rules/${encodeURIComponent(id)}`).then(setText, (e) => setError({ message: e.message }));
  }, [id]);
  const point = (line, column) => {
    const el = area.current;
    if (!el || !line) return;
    const at = offsetOf(el.value, line, column || 1);
    el.focus();
    el.setSelectionRange(at, at);
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await apiYaml(id ? 'PUT' : 'POST', id ? `/rules/${encodeURIComponent(id)}` : '/rules', text);
      setError(null);
      onDone(saved.id);
    } catch (err) {
      setError({ message: err.message, line: err.line, column: err.column });
      point(err.line, err.column);
    } finally { setBusy(false); }
  };
  if (text === null) return <p class="panel">{error ? <span class="error">{error.message}</span> : '…'}</p>;
  const lines = text.split('\n');
  return (
    <form class="panel rule-editor" onSubmit={save} data-rule-editor={id || ''}>
      <h3>{id ? `${t('editYaml')}: ${id}` : t('newRule')}</h3>
      <div class="editor">
        <pre class="gutter" ref={gutter} aria-hidden="true">{lines.map((_, i) => (
          <span class={error?.line === i + 1 ? 'bad' : ''} data-error-line={error?.line === i + 1 ? i + 1 : undefined}>{i + 1}{'\n'}</span>
        ))}</pre>
        <textarea name="yaml" ref={area} spellcheck={false} wrap="off" rows={Math.min(24, Math.max(8, lines.length + 1))} value={text}
          onInput={(e) => setText(e.currentTarget.value)} onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }} />
      </div>
      {error && (
        <p class="error field-error" role="alert" data-line={error.line} data-column={error.column} onClick={() => point(error.line, error.column)}>
          {error.line ? `${t('lineColumn').replace('{line}', error.line).replace('{column}', error.column)}: ` : ''}{error.message}
        </p>
      )}
      <div class="row">
        <button type="submit" name="save-rule" disabled={busy}>{t('save')}</button>
        <button type="button" onClick={() => onDone(null)}>{t('cancel')}</button>
      </div>
    </form>
  );
}

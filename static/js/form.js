// Government-form habits: an error summary at the top that links to each
// field, the error next to the field, the FAQ guidance (links to reset /
// appeal...) where the error happens, focus moved to the summary. What is
// shown is re-rendered in the other language when the user switches.
import { t, pick } from './i18n.js';

let shown = null; // { form, errors } last passed to showErrors

function summaryEl() { return document.getElementById('error-summary'); }

/** Clears the summary and every field error on the page. */
export function clearErrors() {
  shown = null;
  const summary = summaryEl();
  if (summary) {
    summary.hidden = true;
    summary.querySelector('ul').replaceChildren();
  }
  for (const field of document.querySelectorAll('.field.has-error')) {
    field.classList.remove('has-error');
    const err = field.querySelector('.field-error');
    if (err) { err.hidden = true; err.textContent = ''; }
    field.querySelector('.field-guidance')?.remove();
    for (const input of field.querySelectorAll('input,select,textarea')) input.removeAttribute('aria-invalid');
  }
}

/**
 * A guidance object of the API ({message_zh, message_en, actions:[{href,
 * label_zh, label_en}]}) as a box: the message and its links.
 */
export function guidanceBox(guidance, className = 'guidance') {
  const box = document.createElement('div');
  box.className = className;
  const p = document.createElement('p');
  p.textContent = pick(guidance);
  box.append(p);
  const actions = guidance.actions || [];
  if (actions.length) {
    const ul = document.createElement('ul');
    ul.className = 'actions';
    for (const action of actions) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = action.href;
      a.textContent = pick(action, 'label');
      li.append(a);
      ul.append(li);
    }
    box.append(ul);
  }
  return box;
}

function inputFor(form, name) {
  if (!name || !form) return null;
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!input || input.type === 'hidden' || input.closest('[hidden]')) return null;
  return input;
}

function render(focus) {
  const { form, errors } = shown;
  const summary = summaryEl();
  const list = summary.querySelector('ul');
  list.replaceChildren();
  for (const error of errors) {
    const message = pick(error);
    const li = document.createElement('li');
    const input = inputFor(form, error.field);
    const guidance = error.details?.guidance;
    if (input) {
      const a = document.createElement('a');
      a.href = `#${input.id}`;
      a.textContent = message;
      a.addEventListener('click', (e) => {
        e.preventDefault();
        input.closest('.field').scrollIntoView({ block: 'center' });
        input.focus({ preventScroll: true });
      });
      li.append(a);
      const field = input.closest('.field');
      field.classList.add('has-error');
      const slot = field.querySelector('.field-error');
      slot.textContent = message;
      slot.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      field.querySelector('.field-guidance')?.remove();
      if (guidance) {
        const box = guidanceBox(guidance, 'guidance field-guidance');
        box.id = `${input.id}-guidance`;
        (input.closest('.input-row') ?? input).after(box);
      }
    } else {
      li.textContent = message;
      if (guidance) li.append(guidanceBox(guidance));
    }
    list.append(li);
  }
  summary.querySelector('h2').textContent = t('form.error_summary');
  summary.hidden = false;
  if (focus) {
    summary.scrollIntoView({ block: 'start' });
    summary.focus({ preventScroll: true });
  }
}

/**
 * Shows errors: `errors` is a list of the API's `error` objects (or local
 * ones with message_zh / message_en and `field`). An error whose `field`
 * names an input of `form` is shown next to it and linked from the summary;
 * its `details.guidance` is shown under it.
 */
export function showErrors(form, errors, { focus = true } = {}) {
  clearErrors();
  shown = { form, errors };
  render(focus);
}

document.addEventListener('langchange', () => {
  if (!shown) return;
  const keep = shown;
  clearErrors();
  shown = keep;
  render(false);
});

/**
 * Fills a <dl> with facts: rows of [text key, value], the value a string or
 * a Node; rows without a value are left out.
 */
export function showFacts(dl, rows) {
  dl.replaceChildren(...rows.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([key, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    return [dt, dd];
  }));
}

/** Disables a submit button while `work` runs (no double submits). */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// Government-form habits: an error summary at the top that links to each
// field, the error next to the field, focus moved to the summary.
import { t, pick } from './i18n.js';

export function clearErrors(form) {
  const summary = document.getElementById('error-summary');
  summary.hidden = true;
  summary.querySelector('ul').replaceChildren();
  for (const field of form.querySelectorAll('.field.has-error')) {
    field.classList.remove('has-error');
    const err = field.querySelector('.field-error');
    if (err) { err.hidden = true; err.textContent = ''; }
    field.querySelector('input,select')?.removeAttribute('aria-invalid');
  }
}

/** Shows API errors: `errors` is a list of the API's `error` objects. */
export function showErrors(form, errors) {
  const summary = document.getElementById('error-summary');
  const list = summary.querySelector('ul');
  list.replaceChildren();
  for (const error of errors) {
    const message = pick(error);
    const li = document.createElement('li');
    const input = error.field ? form.querySelector(`[name="${CSS.escape(error.field)}"]`) : null;
    if (input) {
      const a = document.createElement('a');
      a.href = `#${input.id}`;
      a.textContent = message;
      a.addEventListener('click', (e) => { e.preventDefault(); input.focus(); });
      li.append(a);
      const field = input.closest('.field');
      field.classList.add('has-error');
      const slot = field.querySelector('.field-error');
      slot.textContent = message;
      slot.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    } else {
      li.textContent = message;
    }
    list.append(li);
  }
  summary.querySelector('h2').textContent = t('form.error_summary');
  summary.hidden = false;
  summary.focus();
}

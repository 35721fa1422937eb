// The fields of the entry's forms, built from a description ({name,
// label_zh, label_en, required, value, options, multiline}): the label, the error
// slot form.js fills, the control; and their labels in the chosen language.
import { t, pick } from './i18n.js';

/** One form field from the API's description: label, error slot, control. */
export function fieldOf(f) {
  const div = document.createElement('div');
  div.className = 'field';
  div.id = `field-${f.name}`;
  const label = document.createElement('label');
  label.htmlFor = f.name;
  const name = document.createElement('span');
  name.className = 'field-label';
  label.append(name);
  if (f.required) {
    const req = document.createElement('span');
    req.className = 'req';
    req.dataset.i18n = 'form.required';
    label.append(' ', req);
  }
  const error = document.createElement('p');
  error.className = 'field-error';
  error.id = `${f.name}-error`;
  error.hidden = true;
  let control;
  if (f.options) {
    control = document.createElement('select');
    const none = document.createElement('option');
    none.value = '';
    none.dataset.i18n = 'entry.choose';
    control.append(none);
    for (const o of f.options) {
      const option = document.createElement('option');
      option.value = o.value;
      option.dataset.labelZh = o.label_zh;
      option.dataset.labelEn = o.label_en;
      control.append(option);
    }
  } else if (f.multiline) {
    control = document.createElement('textarea');
    control.rows = 4;
    control.maxLength = 500;
  } else {
    control = document.createElement('input');
    control.maxLength = 200;
  }
  control.id = f.name;
  control.name = f.name;
  control.value = f.value ?? '';
  control.setAttribute('aria-describedby', error.id);
  div.dataset.labelZh = f.label_zh;
  div.dataset.labelEn = f.label_en;
  div.append(label, error, control);
  return div;
}

/** Puts the current language into fields built by fieldOf. */
export function relabel(root) {
  for (const div of root.querySelectorAll('.field[data-label-zh]')) {
    div.querySelector('.field-label').textContent = pick({ label_zh: div.dataset.labelZh, label_en: div.dataset.labelEn }, 'label');
    const req = div.querySelector('.req');
    if (req) req.textContent = t('form.required');
  }
  for (const option of root.querySelectorAll('option')) {
    if (option.dataset.labelZh) option.textContent = pick({ label_zh: option.dataset.labelZh, label_en: option.dataset.labelEn }, 'label');
    else if (option.dataset.i18n) option.textContent = t(option.dataset.i18n);
  }
}


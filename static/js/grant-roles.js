// The role checkboxes of the grant pages: one per role of the catalogue
// (GET /api/grants/roles or an administrator's roles), named `roles`, with
// the role's name and what it allows in the page's language. A role the
// administrator does not hold is shown disabled (FAQ 4.1: only roles it
// holds can be granted, added or removed).
import { pick } from './i18n.js';

/**
 * Fills `box` with the catalogue's checkboxes: `checked` and `enabled` are
 * sets of role codes.
 */
export function roleChoices(box, catalogue, { checked = new Set(), enabled = new Set() } = {}) {
  box.replaceChildren(...catalogue.map((role) => {
    const id = `role-${box.id}-${role.code}`;
    const row = document.createElement('div');
    row.className = 'choice';
    const input = document.createElement('input');
    Object.assign(input, { type: 'checkbox', name: 'roles', value: role.code, id, checked: checked.has(role.code), disabled: !enabled.has(role.code) });
    const label = document.createElement('label');
    label.htmlFor = id;
    const name = document.createElement('strong');
    name.className = 'role-name';
    name.dataset.role = role.code;
    name.textContent = pick(role, 'label');
    const allows = document.createElement('span');
    allows.className = 'hint role-allows';
    allows.dataset.role = role.code;
    allows.textContent = ` ${pick(role, 'allows')}`;
    label.append(name, allows);
    row.append(input, label);
    return row;
  }));
  box.dataset.catalogue = JSON.stringify(catalogue);
}

/** Puts the role texts of `box` into the current language. */
export function relabel(box) {
  const catalogue = JSON.parse(box.dataset.catalogue || '[]');
  for (const role of catalogue) {
    const name = box.querySelector(`.role-name[data-role="${role.code}"]`);
    if (name) name.textContent = pick(role, 'label');
    const allows = box.querySelector(`.role-allows[data-role="${role.code}"]`);
    if (allows) allows.textContent = ` ${pick(role, 'allows')}`;
  }
}

/** The ticked role codes of `box`. */
export function chosenRoles(box) {
  return [...box.querySelectorAll('input[name="roles"]:checked')].map((i) => i.value);
}

/** A grant's roles as one line of names. */
export function roleNames(roles, separator) {
  return roles.map((r) => pick(r, 'label')).join(separator);
}

// The admin area's small enhancements; every form works without them.
'use strict';

// Columns of the portal's ticket list: drag a row to reorder (the order is saved with the section's
// Save button). The ↑ / ↓ buttons beside each row are the keyboard and no-script way.
function enableColumnDragging(body) {
  let dragged = null;
  for (const row of body.querySelectorAll('tr[data-column]')) {
    row.draggable = true;
    row.classList.add('is-draggable');
    row.addEventListener('dragstart', (event) => {
      dragged = row;
      row.classList.add('is-dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', row.querySelector('input[name="column.property"]').value);
    });
    row.addEventListener('dragend', () => {
      row.classList.remove('is-dragging');
      dragged = null;
    });
    row.addEventListener('dragover', (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const { top, height } = row.getBoundingClientRect();
      const after = event.clientY > top + height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener('drop', (event) => {
      event.preventDefault();
      const form = row.closest('form');
      const notice = form && form.querySelector('[data-unsaved]');
      if (notice) notice.hidden = false;
    });
  }
}

document.querySelectorAll('[data-sortable-columns]').forEach(enableColumnDragging);

// The filter builder (views/admin/filter-builder.liquid): without script it shows a blank row per
// group and a blank group, and its remove buttons submit. Here rows are added and removed in place,
// the operator menu follows the property's type and the value control follows the operator; names,
// ids and accessible names are renumbered from the rows' positions after every change.
function enableFilterBuilder(builder) {
  const prefix = builder.dataset.prefix;
  const groups = builder.querySelector('[data-groups]');
  const template = (selector) => builder.querySelector(`template${selector}`).content.firstElementChild;

  function renumber() {
    const groupItems = groups.querySelectorAll(':scope > [data-group]');
    groupItems.forEach((group, g) => {
      group.querySelector('[data-group-title]').textContent = `Group ${g + 1}`;
      const removeGroup = group.querySelector('[data-remove-group]');
      removeGroup.value = `filter-remove:${prefix}.${g}`;
      removeGroup.setAttribute('aria-label', `Remove group ${g + 1}`);
      removeGroup.hidden = false;
      group.querySelectorAll(':scope [data-conditions] > [data-condition]').forEach((row, c) => {
        const place = `condition ${c + 1} in group ${g + 1}`;
        for (const control of row.querySelectorAll('[data-field]')) {
          control.id = `${builder.id}-${g}-${c}-${control.dataset.field}`;
          control.name = `${prefix}.${g}.${c}.${control.dataset.field}`;
        }
        for (const label of row.querySelectorAll('label[data-for-field]')) {
          label.htmlFor = `${builder.id}-${g}-${c}-${label.dataset.forField}`;
          label.textContent = `${label.dataset.label} of ${place}`;
        }
        const remove = row.querySelector('[data-remove-condition]');
        remove.value = `filter-remove:${prefix}.${g}.${c}`;
        remove.setAttribute('aria-label', `Remove ${place}`);
      });
    });
    builder.querySelector('[data-filter-empty]').hidden = groupItems.length > 0;
  }

  // The value control the chosen operator takes (enumerations: that property's options).
  function followOperator(row) {
    const operator = row.querySelector('[data-field="operator"]');
    const input = operator.selectedOptions[0] ? operator.selectedOptions[0].dataset.input : 'text';
    const property = row.querySelector('[data-field="property"]').value;
    const key = input === 'choice' || input === 'choices' ? `${input}:${property}` : input;
    const slot = row.querySelector('[data-value-slot]');
    if (slot.dataset.key === key) return;
    const fresh =
      key === 'none'
        ? document.createElement('div')
        : template(`[data-value-template="${CSS.escape(key)}"]`).cloneNode(true);
    fresh.className = 'filter-value';
    fresh.dataset.valueSlot = '';
    fresh.dataset.key = key;
    slot.replaceWith(fresh);
  }

  // The operators the chosen property's type takes; the chosen operator stays when it still applies.
  function followProperty(row) {
    const property = row.querySelector('[data-field="property"]');
    const type = property.selectedOptions[0] ? property.selectedOptions[0].dataset.type : 'any';
    const operator = row.querySelector('[data-field="operator"]');
    const before = operator.value;
    const choices = builder.querySelector(`template[data-operators="${CSS.escape(type)}"]`);
    operator.replaceChildren(...[...choices.content.children].map((option) => option.cloneNode(true)));
    if ([...operator.options].some((option) => option.value === before)) operator.value = before;
    // The old value control belonged to another property: start afresh.
    row.querySelector('[data-value-slot]').dataset.key = '';
    followOperator(row);
  }

  function addCondition(group) {
    const row = template('[data-blank-condition]').cloneNode(true);
    group.querySelector('[data-conditions]').append(row);
    renumber();
    row.querySelector('[data-field="property"]').focus();
  }

  builder.addEventListener('change', (event) => {
    const row = event.target.closest('[data-condition]');
    if (!row) return;
    if (event.target.dataset.field === 'property') followProperty(row);
    if (event.target.dataset.field === 'operator') followOperator(row);
    renumber();
  });
  builder.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || !builder.contains(button)) return;
    if (button.matches('[data-add-condition]')) addCondition(button.closest('[data-group]'));
    else if (button.matches('[data-add-group]')) {
      groups.append(template('[data-blank-group]').cloneNode(true));
      const group = groups.lastElementChild;
      group.querySelector('[data-add-condition]').hidden = false;
      renumber();
      group.querySelector('[data-field="property"]').focus();
    } else if (button.matches('[data-remove-condition], [data-remove-group]')) {
      event.preventDefault();
      const group = button.closest('[data-group]');
      const row = button.matches('[data-remove-condition]') ? button.closest('[data-condition]') : null;
      if (row && group.querySelectorAll('[data-condition]').length > 1) row.remove();
      else group.remove();
      renumber();
      builder.querySelector('[data-add-group]').focus();
    }
  });

  // The blank rows and group are the no-script way to add; here the Add buttons are.
  for (const blank of builder.querySelectorAll('[data-groups] [data-blank]')) blank.remove();
  for (const button of builder.querySelectorAll('[data-add-condition], [data-add-group]'))
    button.hidden = false;
  builder.querySelector('[data-no-script-hint]').hidden = true;
  renumber();
}

document.querySelectorAll('[data-filter-builder]').forEach(enableFilterBuilder);

// The theme form (SPEC S6): each colour's picker and hex field follow each other, and the preview
// beside the form takes the theme's CSS variables as fields change. The gateway computes them (the
// same function that themes the portal), so the preview shows exactly what the portal will; a
// chosen logo shows at once, read as a data: URL (the page's CSP allows those for images).
function enableThemeForm(form) {
  const preview = document.querySelector('[data-theme-preview]');
  const hex = /^#?([0-9a-f]{6})$/i;
  let pending = null;

  async function refreshPreview() {
    if (pending) pending.abort();
    pending = new AbortController();
    const values = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') values.append(name, value);
    values.delete('_csrf');
    try {
      const response = await fetch(`/admin/portal/theme/preview?${values}`, {
        signal: pending.signal,
        headers: { accept: 'application/json' },
      });
      if (!response.ok) return;
      const variables = await response.json();
      for (const [name, value] of Object.entries(variables)) preview.style.setProperty(name, value);
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  }

  let timer = null;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 120);
  };

  for (const picker of form.querySelectorAll('[data-colour-picker]')) {
    const field = document.getElementById(picker.dataset.colourPicker);
    picker.hidden = false;
    // The form's input listener below refreshes the preview.
    picker.addEventListener('input', () => {
      field.value = picker.value;
    });
    field.addEventListener('input', () => {
      const match = hex.exec(field.value.trim());
      if (match) picker.value = `#${match[1].toLowerCase()}`;
    });
  }

  const logo = preview.querySelector('[data-preview-logo]');
  const monogram = preview.querySelector('[data-preview-monogram]');
  const showLogo = (src) => {
    if (src) logo.src = src;
    logo.hidden = !src;
    monogram.hidden = Boolean(src);
  };
  const savedLogo = logo.getAttribute('src');
  const remove = form.querySelector('[data-remove-logo]');
  const file = form.querySelector('input[type="file"]');
  file.addEventListener('change', () => {
    const chosen = file.files[0];
    if (!chosen || !chosen.type.startsWith('image/'))
      return showLogo(remove && remove.checked ? null : savedLogo);
    const reader = new FileReader();
    reader.addEventListener('load', () => showLogo(reader.result));
    reader.readAsDataURL(chosen);
  });
  if (remove)
    remove.addEventListener('change', () => {
      if (!file.files[0]) showLogo(remove.checked ? null : savedLogo);
    });

  // Colours, font and radius; the logo is shown above without asking the gateway.
  form.addEventListener('input', (event) => {
    if (event.target.type !== 'file' && event.target.type !== 'checkbox') schedule();
  });
}

document.querySelectorAll('[data-theme-form]').forEach(enableThemeForm);

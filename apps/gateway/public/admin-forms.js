// The form editor with script: the options box shows only for dropdowns, and "Copy the code" copies
// the embed code. Without script every box shows and the code is selected and copied by hand.
'use strict';

for (const options of document.querySelectorAll('[data-options-of]')) {
  const type = document.getElementById(options.dataset.optionsOf);
  const update = () => (options.hidden = type.value !== 'select');
  type.addEventListener('change', update);
  update();
}

for (const button of document.querySelectorAll('[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector('.copy-status');
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      status.textContent = 'Copied.';
    } catch {
      // No clipboard permission (e.g. plain http): select it so Ctrl+C copies it.
      source.select();
      status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  });
}

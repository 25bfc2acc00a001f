// The system page editor's line numbers: they follow the textarea's lines and scrolling. The editor
// works without them.
'use strict';

function enableLineNumbers(textarea) {
  const gutter = textarea.parentElement.querySelector('[data-line-numbers]');
  let shown = 0;
  const update = () => {
    const lines = textarea.value.split('\n').length;
    if (lines !== shown) {
      gutter.textContent = Array.from({ length: lines }, (_, index) => index + 1).join('\n');
      shown = lines;
    }
    gutter.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', update);
  textarea.addEventListener('scroll', () => (gutter.scrollTop = textarea.scrollTop));
  update();
}

// A template that did not parse: the caret goes to the line the parser stopped at.
function showErrorLine(textarea) {
  const line = Number(textarea.dataset.errorLine);
  if (!line) return;
  const start =
    textarea.value
      .split('\n')
      .slice(0, line - 1)
      .join('\n').length + (line > 1 ? 1 : 0);
  textarea.focus();
  textarea.setSelectionRange(start, start);
  textarea.scrollTop = Math.max(0, (line - 5) * 20);
}

for (const textarea of document.querySelectorAll('textarea[data-code-editor]')) {
  enableLineNumbers(textarea);
  showErrorLine(textarea);
}

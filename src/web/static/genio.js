// GeNIO's small enhancements; every page works without them.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const status = document.getElementById(button.getAttribute('data-copy') + '-copiata');
    if (status) status.textContent = 'Copiata negli appunti';
  });
});
// Fiscal codes are upper case: shown so while typing.
document.addEventListener('input', (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.dataset.upper !== undefined) {
    const at = field.selectionStart;
    field.value = field.value.toUpperCase();
    field.setSelectionRange(at, at);
  }
});

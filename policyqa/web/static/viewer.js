// The viewer scrolls the cited span into view whenever it changes; outline entries jump to their heading.
// In the chat's side panel only the document text scrolls, so the panel's close button stays put.
const show = () => {
  const m = element.querySelector('#pq-cited');
  if (!m) return;
  setTimeout(() => {
    const doc = m.closest('.pq-doc');
    if (doc && element.closest('#pq-viewer-panel')) {
      doc.scrollTop += m.getBoundingClientRect().top - doc.getBoundingClientRect().top - doc.clientHeight / 3;
    } else {
      m.scrollIntoView({block: 'center', behavior: 'smooth'});
    }
  }, 50);
};
watch('value', show);
show();
element.addEventListener('click', (e) => {
  const a = e.target.closest('[data-target]');
  if (!a) return;
  e.preventDefault();
  const t = element.querySelector('#' + a.dataset.target);
  if (t) t.scrollIntoView({block: 'start', behavior: 'smooth'});
});

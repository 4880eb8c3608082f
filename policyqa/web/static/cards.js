// Clicking a card (or a mention) asks the server for the viewer at that passage.
const open = (card) => trigger('click', {file: card.dataset.file, start: +card.dataset.start, end: +card.dataset.end});
element.addEventListener('click', (e) => { const c = e.target.closest('[data-file]'); if (c) open(c); });
element.addEventListener('keydown', (e) => {
  const c = e.target.closest('[data-file]'); if (c && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(c); }
});

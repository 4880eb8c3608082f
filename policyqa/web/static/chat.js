// Chat additions to cards.js (same scope: `element`, `trigger`, `open`): the [n] links in answers
// show their turn's cards and open the passage; 复制回答及出处 copies the answer with its sources.
const cardsOf = () => document.querySelector('#pq-cards');
const showRef = (turn, n) => {
  const root = cardsOf();
  if (!root) return;
  const section = [...root.querySelectorAll('.pq-turn')].find((s) => s.dataset.turn === turn);
  if (!section) return;
  root.querySelectorAll('.pq-turn').forEach((s) => s.classList.toggle('pq-shown', s === section));
  // data-ns lists "n:start-end" for each number a card stands for.
  let span = null;
  const card = [...section.querySelectorAll('.pq-card')].find((c) => (c.dataset.ns || '').split(' ').some((token) => {
    const [num, where] = token.split(':');
    if (num !== n) return false;
    span = where ? where.split('-').map(Number) : null;
    return true;
  }));
  if (!card) return;
  markActive(card);
  card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  window.__pqOpenAt(card.dataset.file, span ? span[0] : +card.dataset.start, span ? span[1] : +card.dataset.end);
};
const markActive = (card) => {
  const root = cardsOf();
  if (root) root.querySelectorAll('.pq-card.pq-active').forEach((c) => c.classList.remove('pq-active'));
  card.classList.add('pq-active');
};
// The latest mount's trigger: the document listener below is installed by the first mount only.
window.__pqOpenAt = (file, start, end) => trigger('click', {file, start, end});
if (!window.__pqRefs) {  // one document listener, however often this panel mounts
  window.__pqRefs = true;
  const follow = (e) => {
    const ref = e.target.closest && e.target.closest('#pq-chat .pq-ref');
    if (!ref || (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    // The chat's sanitizer keeps classes only: pq-ref-t<turn id> pq-ref-n<number>.
    const pick = (prefix) => ([...ref.classList].find((c) => c.startsWith(prefix)) || '').slice(prefix.length);
    showRef(pick('pq-ref-t'), pick('pq-ref-n'));
  };
  document.addEventListener('click', follow, true);
  document.addEventListener('keydown', follow, true);
}
const copyText = async (text) => {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {  // plain http on an intranet host has no clipboard API
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
};
element.addEventListener('click', async (e) => {
  const card = e.target.closest('.pq-card');
  if (card) markActive(card);
  const button = e.target.closest('.pq-copy');
  if (!button) return;
  const ok = await copyText(button.dataset.copy);
  button.textContent = ok ? '已复制 ✓' : '复制失败，请手动选择文字';
  button.classList.toggle('pq-copied', ok);
  setTimeout(() => { button.textContent = '复制回答及出处'; button.classList.remove('pq-copied'); }, 2000);
});
// On a phone the conversation list is a drawer: closed when the page opens and after a pick.
const narrow = () => window.matchMedia('(max-width: 768px)').matches;
const closeDrawer = () => {
  const open = document.querySelector('#pq-sidebar.open');
  if (open && narrow()) open.querySelector('.toggle-button').click();
};
if (!window.__pqDrawer) {
  window.__pqDrawer = true;
  closeDrawer();
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('#pq-convs label, #pq-new')) setTimeout(closeDrawer, 300);
  });
}

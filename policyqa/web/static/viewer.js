// The viewer scrolls the cited span into view whenever it changes; outline entries jump to their heading.
const show = () => {
  const m = element.querySelector('#pq-cited');
  if (m) { setTimeout(() => m.scrollIntoView({block: 'center', behavior: 'smooth'}), 50); }
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

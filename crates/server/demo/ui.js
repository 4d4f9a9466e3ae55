// ui.js — the demo page's DOM: the join form, the video tiles (one per remote peer, as
// `<video data-peer-id="<id>">`), the status line and the chat log. Names and chat text come
// from other people: they are only ever set as text, never as markup.

const $ = (id) => document.getElementById(id);

export function showForm(room, name) {
  $('join-form').hidden = false;
  $('room-input').value = room ?? '';
  $('name-input').value = name ?? '';
  $('room-input').focus();
}

export function showCall(name) {
  $('call').hidden = false;
  $('local-name').textContent = `${name} (you)`;
}

export function setLocalStream(stream) {
  if (!stream) {
    $('local-name').textContent += ' — no camera';
    return;
  }
  $('local-video').srcObject = stream;
}

export function setStatus(text) {
  $('status').textContent = text;
}

/** Adds the tile of a remote peer; returns its video element. */
export function addTile(id, name) {
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.tile = id;
  const video = document.createElement('video');
  video.dataset.peerId = id;
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement('figcaption');
  figure.append(video, caption);
  $('tiles').append(figure);
  setTileLabel(id, name, 'new');
  return video;
}

export function setTileLabel(id, name, state) {
  const caption = tile(id)?.querySelector('figcaption');
  if (caption) caption.textContent = `${name || '…'} · ${state}`;
}

/** Shows a peer's stream; when the browser blocks autoplay with sound, plays it muted and
 * lets a click on the tile unmute it. */
export function setTileStream(id, stream) {
  const video = tile(id)?.querySelector('video');
  if (!video || video.srcObject === stream) return;
  video.srcObject = stream;
  video.play().catch(() => {
    video.muted = true;
    video.play().catch(() => {});
    video.title = 'muted by the browser: click to unmute';
    video.addEventListener('click', () => (video.muted = false), { once: true });
  });
}

export function removeTile(id) {
  tile(id)?.remove();
}

function tile(id) {
  return [...document.querySelectorAll('#tiles figure[data-tile]')].find((el) => el.dataset.tile === id);
}

export function appendChat(who, text, mine) {
  const item = document.createElement('li');
  if (mine) item.className = 'mine';
  const from = document.createElement('b');
  from.textContent = `${who}: `;
  item.append(from, document.createTextNode(text));
  $('chat-log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

/** The chat box: calls `send(text)` on a click of Send or on Enter; clears the input when
 * `send` returns true. */
export function onChat(send) {
  const input = $('chat-input');
  const submit = () => {
    const text = input.value.trim();
    if (text && send(text)) input.value = '';
  };
  $('chat-send').addEventListener('click', submit);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') submit();
  });
}

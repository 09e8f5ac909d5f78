// A Sockpit hook file. The same file runs under `sockpit connect --script`, `sockpit run --script`
// and the window's Scripts tab. Against the mock's /echo: five numbered sends when the socket
// opens, a close after the fifth echo, and tests that the sequence came back whole.
function onOpen(sp) {
  for (let i = 1; i <= 5; i++) sp.send({ seq: i });
}

function onMessage(sp) {
  const m = sp.message.json();
  if (m.seq === 5) sp.close(1000, 'five round trips');
}

function after(sp) {
  const seqs = sp.messages.filter((m) => m.dir === 'in').map((m) => m.json().seq);
  test('five round trips', () => expect(seqs).to.have.lengthOf(5));
  test('no gaps in the sequence', () => expect(seqs).to.deep.equal([1, 2, 3, 4, 5]));
}

export function Header() {
  return (
    <header className="site-header">
      <h1>Structured-matrix playground</h1>
      <p className="tagline">
        Low-rank, Monarch, sparse, Kronecker and friends on WebGPU — every kernel checked against a float64
        oracle.
      </p>
    </header>
  );
}

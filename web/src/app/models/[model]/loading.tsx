export default function Loading() {
  return (
    <p className="status" role="status">
      Loading…
    </p>
  );
}

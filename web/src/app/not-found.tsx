import Link from "next/link";

export default function NotFound() {
  return (
    <section className="card">
      <h1>Not found</h1>
      <p>This page does not exist, or what it showed was removed.</p>
      <Link href="/spaces">Back to your spaces</Link>
    </section>
  );
}

import { cleanFileName, detectContentType } from './attachment-content.js';

describe('cleanFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.png', 'photo.png'],
    ['a\u0000b\u0007c\r\n.txt', 'abc.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  lots \t of   space .png ', 'lots of space .png'],
    ['.env', 'env'],
    ['..', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['e\u0301te\u0301.txt', 'été.txt'],
  ])('%j → %j', (raw, clean) => {
    expect(cleanFileName(raw)).toBe(clean);
  });

  it('bounds the length at 200 characters and keeps a short extension', () => {
    expect(cleanFileName(`${'é'.repeat(300)}.docx`)).toBe(`${'é'.repeat(195)}.docx`);
    expect(cleanFileName(`${'😀'.repeat(250)}`)).toBe('😀'.repeat(200));
    expect([...cleanFileName(`name.${'x'.repeat(300)}`)]).toHaveLength(200);
  });
});

describe('detectContentType', () => {
  it('calls signature-less UTF-8 without NUL text/plain, and other bytes unknown binary', async () => {
    expect(await detectContentType(Buffer.from('plain words, ünïcödé\n'))).toBe('text/plain');
    expect(await detectContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('text/plain');
    expect(await detectContentType(Buffer.from([0x61, 0x00, 0x62]))).toBe('application/octet-stream');
    expect(await detectContentType(Buffer.from([0x61, 0x80, 0x62]))).toBe('application/octet-stream');
    expect(await detectContentType(Buffer.from('%PDF-1.7\n%%EOF\n'))).toBe('application/pdf');
  });
});

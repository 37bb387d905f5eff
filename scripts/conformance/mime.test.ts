import { contentTypeFor, isTextType } from './mime';

describe('contentTypeFor', () => {
  it.each([
    ['page.html', 'text/html; charset=utf-8'],
    ['doc.xhtml', 'application/xhtml+xml; charset=utf-8'],
    ['doc.xml', 'application/xml; charset=utf-8'],
    ['icon.svg', 'image/svg+xml; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['captions.vtt', 'text/vtt; charset=utf-8'],
    ['clip.mp4', 'video/mp4'],
    ['clip.webm', 'video/webm'],
    ['sound.mp3', 'audio/mpeg'],
    ['photo.jfif', 'image/jpeg'],
    ['photo.jpg', 'image/jpeg'],
    ['photo.jpeg', 'image/jpeg'],
    ['logo.png', 'image/png'],
    ['anim.gif', 'image/gif'],
  ])('serves %s as %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });

  it('ignores the case of the extension and the directories', () => {
    expect(contentTypeFor('/corpus/WAI/x.d/IMAGE.PNG')).toBe('image/png');
  });

  it('sends unknown files as bytes, without a charset', () => {
    expect(contentTypeFor('archive.bin')).toBe('application/octet-stream');
    expect(contentTypeFor('README')).toBe('application/octet-stream');
  });
});

describe('isTextType', () => {
  it('counts text/* and the XML and JSON types as text, media as not', () => {
    expect(isTextType('text/vtt')).toBe(true);
    expect(isTextType('image/svg+xml')).toBe(true);
    expect(isTextType('image/png')).toBe(false);
    expect(isTextType('video/mp4')).toBe(false);
  });
});

import './base.css';
import './table.css';
